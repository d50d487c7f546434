package backend

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
)

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

// newSandboxToken is a sandbox's private prefix of stored names: "sb" and
// 8 hex digits.
func newSandboxToken() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "sb" + hex.EncodeToString(b)
}

// shortID is Docker's 12-digit form of an id.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
