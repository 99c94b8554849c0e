package multi

import "os"

func writeOutput(b []byte) error { return os.WriteFile("function_output.json", b, 0o644) }
