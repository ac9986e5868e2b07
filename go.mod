module github.com/logwarden/logwarden

go 1.26.0
