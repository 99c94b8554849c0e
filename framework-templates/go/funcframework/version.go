package funcframework

// Version is this framework's release; the Kiln Go buildpacks record it in the
// dev.kiln.framework.version image label. Keep it equal to the module version
// the buildpack injects (buildpacks/go-function reads it from here).
const Version = "0.1.0"
