// Package runner runs scenario files: it finds them, runs each file's top
// level and then its cases, each in its own sandbox, and reports the
// results. It is what "berth test" and "berth run" call.
//
// # Files and cases
//
// A scenario file is a .star file. Its top-level statements run first, in a
// file-level sandbox that lives until all the file's cases have ended. Each
// top-level function whose name starts with test_ is a case (functions
// defined inside a top-level if, for or while count too; one whose def did
// not run, under an if that was false, is skipped); cases run after
// the top level, in the order they are defined in the file, one at a time,
// each on its own thread, in its own sandbox, with its own cleanups. A file
// without test_ functions is one case: its top level. The module's globals
// are frozen after the top level, so a case cannot change what the next
// one sees.
//
// A file that does not parse or resolve is one failed case named after the
// file. When the top level fails, the file's cases do not run: the failure
// is reported as one failed case named after the file, and the cases as
// skipped.
//
// # Finding files
//
// A path given to Test may be a file (run whatever its name) or a
// directory, searched recursively for *.star files in lexical order. Below
// a directory argument, these are skipped: directories named testdata or
// lib, directories and files whose names start with "_" or ".". That is
// where helpers meant for load() go: a helper without test_ functions would
// otherwise run as a case of its own.
//
// # load
//
// load("x.star", ...) is relative to the directory of the loading file;
// load("//lib/x.star", ...) is relative to the suite root: the directory
// argument the file was found under, or the file's own directory when the
// file was named directly (always so for RunFile). A loaded file gets the
// same predeclared names, runs once per file run (a cache per file run,
// not shared between files) on the thread of the loading file (so it sees
// the file-level sandbox), and has its globals frozen. A cycle of loads is
// an error naming the cycle.
//
// # Selecting, timeouts, interruption
//
// Options.Run selects cases by a regular expression searched in the case
// ID, "path/file.star::test_name" (or "path/file.star" for a file without
// test_ functions), so it can select by file name too. Cases that do not
// match are counted as skipped (and listed under Verbose); a file none of
// whose cases match is not run at all.
//
// Options.Timeout bounds each case, and the top level, separately: when it
// expires the session context is cancelled and the thread is cancelled,
// and the case fails with "timed out after X". When ctx is cancelled (an
// interrupt), the running cases fail with "interrupted", the remaining
// ones are skipped, files not yet started are not run, and every sandbox
// that was created is still closed.
//
// # Output
//
// Files run in parallel (Options.Parallel), cases within a file one after
// the other. Test prints one line per case as it ends,
//
//	PASS path/file.star::test_name (0.12s)
//	FAIL path/file.star::test_other (1.03s)
//	    <the error with its Starlark call stack, file:line:col per frame>
//	    print output:
//	        <what the case printed>
//	    sandbox:
//	        <the last log lines and the state of each container>
//
// and last a line "N passed, N failed", with ", N skipped" when some were
// skipped. A case's block is written at once, so lines of different files
// never mix. A case's print() output is shown under -v or when it fails;
// the print output of a file's top level goes with the file's first case.
// RunFile instead streams print() output as it happens.
//
// A failure message, a case's print output (and, streamed, each print)
// longer than capped.Report is cut: its first 64 KiB and last 4 KiB are
// shown, with a line between them giving its size and how much was left
// out. The results kept for reporters are cut the same way.
package runner
