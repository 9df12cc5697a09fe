module github.com/reactorlab/reactorlab/exercises

go 1.26.8

require golang.org/x/sys v0.50.0

replace github.com/reactorlab/reactorlab => ../
