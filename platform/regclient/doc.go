// Package regclient is how kiln talks to registries other than its embedded
// one: credentials come from the Docker config the way every other tool
// finds them (Keychain: $DOCKER_CONFIG, ~/.docker/config.json, credential
// helpers), plain HTTP only for registries named insecure (Target.Insecure:
// --insecure-registry; loopback registries need no flag), and the registry
// errors a user can fix (401, 403, an untrusted certificate, plain HTTP)
// become sentences saying how (Explain).
//
// kiln publish, kiln build --image/--builder and kiln run all reach
// registries through Target.RemoteOptions: there is no other place that
// picks credentials or a transport.
package regclient
