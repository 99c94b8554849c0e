package main

import (
	"fmt"
	"github.com/spf13/pflag"
	"os"
	"path"
	"strings"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
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

// prepare checks the components against FUNC_CONTEXT, reserves daprd's
// ports and adds the env that points the function at daprd. The returned
// launch starts daprd; kiln run calls it once the function listens, because
// daprd asks a gRPC app for its inputs once, right after the port opens, and
// an app that is not up yet would be taken to have none.
func (d *daprFlags) prepare(h home.Dir, image string, port int, env *envFlag) (*daprsidecar.Sidecar, func() error, error) {
	if d.protocol != "grpc" && d.protocol != "http" {
		return nil, nil, usageError{fmt.Sprintf("--app-protocol=%q: use grpc or http", d.protocol)}
	}
	bin, err := daprsidecar.Find(h.Tools())
	if err != nil {
		return nil, nil, err
	}
	components, err := daprsidecar.LoadComponents(d.dir)
	if err != nil {
		return nil, nil, err
	}
	fc := env.Map()["FUNC_CONTEXT"]
	if d.funcContext != "" {
		fc = d.funcContext
		if !strings.HasPrefix(strings.TrimSpace(fc), "{") {
			b, err := os.ReadFile(fc)
			if err != nil {
				return nil, nil, fmt.Errorf("--func-context: %w", err)
			}
			fc = string(b)
		}
		env.kv = append(env.kv, "FUNC_CONTEXT="+fc)
	}
	if fc == "" {
		return nil, nil, usageError{"--dapr needs the function's FUNC_CONTEXT: --func-context FILE (or --env FUNC_CONTEXT=...), naming its inputs and outputs"}
	}
	if err := daprsidecar.CheckFuncContext(fc, components, d.dir); err != nil {
		return nil, nil, err
	}
	appID := d.appID
	if appID == "" {
		appID = path.Base(strings.SplitN(strings.SplitN(image, "@", 2)[0], ":", 2)[0])
	}
	sc, err := daprsidecar.Reserve(port)
	if err != nil {
		return nil, nil, err
	}
	env.kv = append(sc.Env(d.protocol), env.kv...)
	launch := func() error {
		if err := sc.Start(daprsidecar.Options{Bin: bin, AppID: appID, AppProtocol: d.protocol, Components: d.dir, LogLevel: d.logLevel, Logs: os.Stderr}); err != nil {
			return err
		}
		fmt.Printf("==> daprd %s beside the function: app-id %s, app protocol %s, HTTP 127.0.0.1:%d, gRPC 127.0.0.1:%d, %d components from %s\n",
			daprsidecar.Version, appID, d.protocol, sc.HTTPPort, sc.GRPCPort, len(components), d.dir)
		return nil
	}
	return sc, launch, nil
}
