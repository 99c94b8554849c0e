module example.com/asynccronkafka

go 1.26
