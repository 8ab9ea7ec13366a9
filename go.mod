module github.com/pyscoop/pyscoop

go 1.26
