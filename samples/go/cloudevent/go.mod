module example.com/cloudevent

go 1.26
