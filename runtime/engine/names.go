package engine

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"strings"
)

// newID returns a Docker-style 64-hex id whose 12-char short form is not all
// digits (Docker avoids those so a short id is never read as a number).
func newID() string {
	b := make([]byte, 32)
	for {
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		if strings.Trim(id[:12], "0123456789") != "" {
			return id
		}
	}
}

var (
	nameLeft  = []string{"admiring", "bold", "brave", "calm", "clever", "eager", "focused", "gallant", "happy", "jolly", "keen", "nifty", "quirky", "serene", "sharp", "tender", "vibrant", "wizardly", "zealous", "upbeat"}
	nameRight = []string{"babbage", "curie", "darwin", "euclid", "fermi", "galileo", "hopper", "kepler", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak", "yalow", "lamport", "liskov"}
)

// randomName returns a Docker-like "adjective_surname" name.
func randomName() string {
	pick := func(list []string) string {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
		return list[n.Int64()]
	}
	return pick(nameLeft) + "_" + pick(nameRight)
}
