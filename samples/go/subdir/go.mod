module example.com/subdir

go 1.26

require example.com/greeting v0.0.0

replace example.com/greeting => ./greeting
