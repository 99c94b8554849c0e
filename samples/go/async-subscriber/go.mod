module example.com/asyncsubscriber

go 1.26
