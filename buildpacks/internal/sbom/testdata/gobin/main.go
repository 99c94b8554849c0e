package main

import _ "github.com/buildpacks/libcnb/v2"

func main() {}
