// Command probe is a Go binary with a known dependency
// (github.com/BurntSushi/toml) whose build info the SBOM tests read.
package main

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

func main() { fmt.Println(toml.Primitive{}) }
