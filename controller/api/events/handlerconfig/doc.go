// Package handlerconfig is the contract between controller/render/events,
// which writes it into the EVENTS_CONFIG environment variable of an
// EventSource's or Trigger's handler Function, and controller/cmd/eventhandler,
// which reads it. Standard library only.
package handlerconfig
