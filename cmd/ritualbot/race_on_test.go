//go:build race

package main

// raceDetector says the tests run under -race, which slows the code
// several times over: timing guarantees are measured without it.
const raceDetector = true
