package adapt

import (
	"encoding/json"
	"os"
	"strconv"
	"sync"

	"kiln.dev/functions-framework-go/funccontext"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
)

// env is what the process's environment says, read once.
type env struct {
	fc              funccontext.Context
	mode, namespace string
	port, pattern   string
}

var (
	once   sync.Once
	parsed env
)

// settings reads FUNC_CONTEXT (Kiln's framework has already refused a bad
// one before any invocation), CONTEXT_MODE, POD_NAMESPACE and PORT.
func settings() *env {
	once.Do(func() { parsed = readEnv() })
	return &parsed
}

func readEnv() env {
	e := env{mode: os.Getenv(ofctx.ModeEnvName), namespace: os.Getenv(ofctx.PodNamespaceEnvName), pattern: HTTPPattern()}
	if e.mode == "" {
		e.mode = ofctx.KubernetesMode
	}
	if fc, err := funccontext.FromEnv(); err == nil && fc != nil {
		e.fc = *fc
	}
	e.port = os.Getenv("PORT")
	if e.port == "" && e.fc.Port != 0 {
		e.port = strconv.Itoa(e.fc.Port)
	}
	if e.port == "" {
		e.port = "8080"
	}
	return e
}

// HTTPPattern is FUNC_CONTEXT's httpPattern, "/" when unset.
func HTTPPattern() string {
	var fc struct {
		HTTPPattern string `json:"httpPattern"`
	}
	if s := os.Getenv(ofctx.FunctionContextEnvName); s != "" {
		json.Unmarshal([]byte(s), &fc)
	}
	if fc.HTTPPattern == "" {
		return "/"
	}
	return fc.HTTPPattern
}
