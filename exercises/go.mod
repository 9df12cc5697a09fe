module github.com/reactorlab/reactorlab/exercises

go 1.26.8

require (
	github.com/reactorlab/reactorlab v0.0.0
	golang.org/x/sys v0.50.0
)

replace github.com/reactorlab/reactorlab => ../
