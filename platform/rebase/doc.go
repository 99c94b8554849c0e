// Package rebase moves an app image onto a new run image with the pinned
// CNB lifecycle's rebaser (the same code `pack rebase` runs in process): the
// run image layers are swapped, the app's layers and config stay, the
// io.buildpacks.lifecycle.metadata label records the new run image. It checks
// afterwards that every app layer kept its diff ID. Registry credentials
// reach the rebaser as CNB_REGISTRY_AUTH (platform/publish).
package rebase
