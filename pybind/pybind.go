// Package pybind is the boundary between the Go core and CPython: gopy
// exports these functions as the extension module scoop._native.
//
// PLACEHOLDER: the real protocol replaces this file.
package pybind

// Version reports the boundary protocol version.
func Version() int64 { return 1 }

// Add is a placeholder used while the build is being set up.
func Add(a, b int64) int64 { return a + b }
