// Package volume is berth's store of named volumes and the copy-up that
// fills a new volume from the image it is first mounted over.
//
// A store is a directory (normally <berth root>/volumes) laid out like
// Docker's local driver:
//
//	<dir>/<name>/_data        the volume's content, bind-mounted into containers
//	<dir>/<name>/volume.json  its record: creation time, labels, owner, copy-up mark
//	<dir>/.lock               serialises every change, across berth processes
//
// A volume is built in a hidden staging directory and renamed into place, and
// removed by renaming it aside first, so a reader without the lock (Get,
// List) sees a volume whole or not at all. Leftovers of a crash are hidden
// names (".creating-*", ".removing-*") that Open deletes.
//
// Copy-up follows Docker: an empty volume mounted where the image has a
// directory gets that directory's content, owner and mode, once. The store
// records that it happened, so files the user later deletes from the volume
// do not come back.
package volume
