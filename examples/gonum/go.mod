module github.com/gradgen/gradgen/examples/gonum

go 1.26.0

require gonum.org/v1/gonum v0.17.0

require (
	github.com/dave/jennifer v1.7.1 // indirect
	github.com/gradgen/gradgen v0.0.0-00010101000000-000000000000 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

replace github.com/gradgen/gradgen => ../..

tool github.com/gradgen/gradgen/cmd/gradgen
