package runner

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cutMarker matches capped's note for the report limit.
var cutMarker = regexp.MustCompile(`… \[cut: (\d+) bytes, showing the first 64 KiB and the last 4 KiB; (\d+) bytes left out here\] …`)

// checkCutOnce checks that text holds one cut marker, for a text of at
// least minTotal bytes, whose numbers add up.
func checkCutOnce(t *testing.T, name, text string, minTotal int) {
	t.Helper()
	ms := cutMarker.FindAllStringSubmatch(text, -1)
	if len(ms) != 1 {
		t.Fatalf("%s: want one cut marker, found %d in %d bytes:\n%.300s", name, len(ms), len(text), text)
	}
	total, _ := strconv.Atoi(ms[0][1])
	dropped, _ := strconv.Atoi(ms[0][2])
	if total < minTotal || dropped != total-(64<<10)-(4<<10) {
		t.Errorf("%s: marker says %d bytes, %d left out; want at least %d, all but 68 KiB left out", name, total, dropped, minTotal)
	}
}

// A fail() message and print output of 50 MB are cut in the report, and
// in the results kept for reporters, with their size shown.
func TestHugeFailureAndPrintAreCut(t *testing.T) {
	const size = 50 << 20
	e := newFakeEngine()
	sum, report, err := runTree(t, e, e.options(nil), map[string]string{
		"big.star": fmt.Sprintf(`
def test_big():
    print("p" * %d)
    fail("x" * %d)
`, size, size),
	}, "big.star")
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, sum, "FAIL big.star::test_big")
	if len(report) > 200<<10 {
		t.Errorf("report is %d bytes", len(report))
	}
	failure, output, _ := strings.Cut(report, "    print output:\n")
	checkCutOnce(t, "failure in the report", failure, size)
	checkCutOnce(t, "print output in the report", output, size+1)
	if !strings.Contains(output, "[cut: "+strconv.Itoa(size+1)+" bytes") {
		t.Errorf("print output: marker does not give the size %d (the text and its newline)", size+1)
	}
	r := sum.Cases[0]
	if !strings.Contains(r.Failure, "Error in fail: xxxx") || !strings.HasSuffix(r.Failure, "xxxx") {
		t.Errorf("Failure does not keep the start and the end of the message: %.200q", r.Failure)
	}
	checkCutOnce(t, "CaseResult.Failure", r.Failure, size)
	checkCutOnce(t, "CaseResult.Output", r.Output, size+1)
}

// RunFile streams print() output: each print is cut on its own.
func TestHugePrintIsCutWhenStreamed(t *testing.T) {
	e := newFakeEngine()
	t.Chdir(writeTree(t, map[string]string{
		"r.star": `
print("before")
print("p" * 52428800)
print("after")
`,
	}))
	var out bytes.Buffer
	opts := e.options(nil)
	opts.Stdout = &out
	if _, err := RunFile(context.Background(), "r.star", opts); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	checkCutOnce(t, "streamed output", got, 52428801)
	if !strings.HasPrefix(got, "before\npppp") || !strings.Contains(got, "pppp\nafter\n") {
		t.Errorf("streamed output lost the prints around the cut one: %.100q ... ", got)
	}
	e.checkAllClosedOnce(t)
}
