// Command native serves package fn with OpenFunction's functions-framework-go,
// as OpenFunction's builder does (FUNC_CONTEXT names the port).
package main

import (
	"context"
	"log"

	_ "example.com/hello/fn"
	"github.com/OpenFunction/functions-framework-go/framework"
)

func main() {
	ctx := context.Background()
	fwk, err := framework.NewFramework()
	if err != nil {
		log.Fatal(err)
	}
	fwk.RegisterPlugins(nil)
	if err := fwk.Start(ctx); err != nil {
		log.Fatal(err)
	}
}
