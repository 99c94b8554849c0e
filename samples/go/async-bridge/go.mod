module example.com/asyncbridge

go 1.26
