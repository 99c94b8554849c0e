package localrun

import (
	"fmt"
	"os"
	"path"
	"strings"

	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
)

// Dapr runs daprd beside the function.
type Dapr struct {
	Dir         string // the Dapr Components folder
	FuncContext string // FUNC_CONTEXT: inline JSON or a file ("" = from Env)
	Protocol    string // how daprd calls the function: grpc (default) or http
	AppID       string // "" = the image's name
	LogLevel    string // daprd --log-level
}

// Check says what is wrong with d before anything starts; env is the
// function's env (FUNC_CONTEXT may come from it).
func (d Dapr) Check(env []string) error {
	if d.Protocol != "" && d.Protocol != "grpc" && d.Protocol != "http" {
		return fmt.Errorf("--app-protocol=%q: use grpc or http", d.Protocol)
	}
	if _, ok := lookup(env, "FUNC_CONTEXT"); !ok && d.FuncContext == "" {
		return fmt.Errorf("--dapr needs the function's FUNC_CONTEXT: --func-context FILE (or --env FUNC_CONTEXT=...), naming its inputs and outputs")
	}
	return nil
}

// appID is the Dapr app id for image: d.AppID, else the image's repository
// name without registry, tag or digest.
func (d Dapr) appID(image string) string {
	if d.AppID != "" {
		return d.AppID
	}
	// The last path element without tag or digest: a registry's
	// host:port must not be taken for a tag.
	name, _, _ := strings.Cut(path.Base(strings.SplitN(image, "@", 2)[0]), ":")
	return name
}

// funcContext is FUNC_CONTEXT: --func-context (inline or a file), else env's.
func (d Dapr) funcContext(env []string) (string, error) {
	fc, _ := lookup(env, "FUNC_CONTEXT")
	if d.FuncContext == "" {
		return fc, nil
	}
	fc = d.FuncContext
	if !strings.HasPrefix(strings.TrimSpace(fc), "{") {
		b, err := os.ReadFile(fc)
		if err != nil {
			return "", fmt.Errorf("--func-context: %w", err)
		}
		fc = string(b)
	}
	return fc, nil
}

// prepare checks the components against FUNC_CONTEXT, reserves daprd's
// ports and returns the env that points the function at daprd. The returned
// launch starts daprd; Run calls it once the function listens, because
// daprd asks a gRPC app for its inputs once, right after the port opens, and
// an app that is not up yet would be taken to have none.
func (d Dapr) prepare(h home.Dir, image string, port int, env []string, out func(string, ...any)) (*daprsidecar.Sidecar, []string, func() error, error) {
	if err := d.Check(env); err != nil {
		return nil, nil, nil, err
	}
	protocol := d.Protocol
	if protocol == "" {
		protocol = "grpc"
	}
	fc, err := d.funcContext(env)
	if err != nil {
		return nil, nil, nil, err
	}
	bin, err := daprsidecar.Find(h.Tools())
	if err != nil {
		return nil, nil, nil, err
	}
	components, err := daprsidecar.LoadComponents(d.Dir)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := daprsidecar.CheckFuncContext(fc, components, d.Dir); err != nil {
		return nil, nil, nil, err
	}
	sc, err := daprsidecar.Reserve(port)
	if err != nil {
		return nil, nil, nil, err
	}
	env = append(sc.Env(protocol), MergeEnv(nil, append(env, "FUNC_CONTEXT="+fc))...)
	appID := d.appID(image)
	launch := func() error {
		if err := sc.Start(daprsidecar.Options{Bin: bin, AppID: appID, AppProtocol: protocol, Components: d.Dir, LogLevel: d.LogLevel, Logs: os.Stderr}); err != nil {
			return err
		}
		out("==> daprd %s beside the function: app-id %s, app protocol %s, HTTP 127.0.0.1:%d, gRPC 127.0.0.1:%d, %d components from %s\n",
			daprsidecar.Version, appID, protocol, sc.HTTPPort, sc.GRPCPort, len(components), d.Dir)
		return nil
	}
	return sc, env, launch, nil
}
