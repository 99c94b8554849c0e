// Wrapper module for the pause binary of platform/cluster's sandbox image;
// built by `platform/tools/build.sh cluster`. No dependencies.
module kiln.dev/tools/pause

go 1.26.0
