// Package reconciler is the Function controller: it applies what
// controller/render makes of each Function (server-side apply, owned by the
// Function so deleting it deletes everything), starts a Shipwright BuildRun
// when the build-relevant spec changes, pins serving to the digest the
// BuildRun reports, deletes children the spec no longer asks for, and reports
// progress and errors as status conditions with reasons.
package reconciler
