package main

import (
	"github.com/spf13/pflag"

	"kiln.dev/kiln/platform/localrun"
)

// daprFlags are kiln run's flags for running daprd beside the function.
type daprFlags struct {
	dir, funcContext, protocol, appID, logLevel string
}

func (d *daprFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.dir, "dapr", "", "run daprd beside the function with the Dapr Components in this folder")
	fs.StringVar(&d.funcContext, "func-context", "", "FUNC_CONTEXT for the function: a JSON file, or inline JSON (with --dapr)")
	fs.StringVar(&d.protocol, "app-protocol", "grpc", "how daprd calls the function: grpc or http (sets APP_PROTOCOL)")
	fs.StringVar(&d.appID, "app-id", "", "Dapr app id (default: the image name)")
	fs.StringVar(&d.logLevel, "dapr-log-level", "warn", "daprd --log-level: debug, info, warn or error")
}

// session is the flags as localrun's Dapr, nil without --dapr.
func (d *daprFlags) session() *localrun.Dapr {
	if d.dir == "" {
		return nil
	}
	return &localrun.Dapr{Dir: d.dir, FuncContext: d.funcContext, Protocol: d.protocol, AppID: d.appID, LogLevel: d.logLevel}
}
