// Command native serves package fn with Google's functions-framework-go, as
// its README's main does (FUNCTION_TARGET=HelloWorld).
package main

import (
	"log"
	"os"

	_ "example.com/hello/fn"
	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

func main() {
	if err := funcframework.Start(os.Getenv("PORT")); err != nil {
		log.Fatalf("funcframework.Start: %v", err)
	}
}
