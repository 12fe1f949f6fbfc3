// Package cases holds one annotated function per derivative rule and per
// construct gradgen supports. Their generated files are the golden files of
// gradgen's tests, and check_test.go compares every gradient with finite
// differences and every value with the source function's, bit for bit.
//
// The tests in cmd/gradgen regenerate this package (go test -update
// rewrites the golden files) and run its tests in a scratch module, with
// gradgen's optimizations on and off.
package cases
