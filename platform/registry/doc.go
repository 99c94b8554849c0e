// Package registry is kiln's embedded OCI registry, a store other kiln
// processes and every build can reach, so it trusts none of them:
//
//   - Storage, in one dir ($KILN_HOME/registry): blobs on disk
//     (blobs/sha256/<hex>), manifests in a journal (manifests/<repo>/<ref>.json,
//     by tag and by digest) replayed into go-containerregistry's in-memory
//     handler at start. A manifest PUT or DELETE is on disk (fsync, rename,
//     fsync of the directory) before the client is answered; a PUT whose
//     blobs are missing, whose digest does not match or that is over 4 MiB
//     is refused.
//   - Names: repositories, tags and digests must match the distribution
//     spec's grammar (400 NAME_INVALID, TAG_INVALID, DIGEST_INVALID), so no
//     name reaches the disk as a path of its own.
//   - Writes need the token in <dir>/token (0600; user "kiln", basic or
//     bearer): Auth, CNBRegistryAuth and WriteDockerConfig hand it to
//     kiln's clients, pack and the lifecycle. Reads stay open, on loopback
//     only. A client attaches only to a server that proves it holds the
//     token (an HMAC of a fresh challenge), never to whatever listens on
//     the remembered port.
//   - Lifetime: one process serves a dir (flock on serve.lock), at the
//     address remembered in <dir>/address. Kiln commands attach to it with
//     a shared lock on clients.lock; when none runs, Open starts one as a
//     detached process of the kiln binary (ServeIfSpawned), which exits
//     after DefaultIdleExit with no request and no client attached, or on
//     `kiln registry stop`. No kiln command stops it under another.
//   - gc: mark and sweep from the tags (through indexes), under an
//     exclusive lock against writes, sparing anything younger than a grace
//     period; DiskUsage reports sizes per repository.
//
// The package does not build, flatten or run images.
package registry
