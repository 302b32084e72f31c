# accuracy-speed-memory: render with `gnuplot accuracy-speed-memory.gp` in this folder
set terminal pngcairo size 900,600 noenhanced
set output 'accuracy-speed-memory.png'
set title 'Accuracy vs speed at 4096 tokens (bubble area = peak memory)'
set xlabel 'training steps per second'
set ylabel 'average test accuracy (%)'
set grid
set key off
set offsets graph 0.15, graph 0.15, graph 0.15, graph 0.15
stats 'accuracy-speed-memory.dat' using 4 nooutput name 'M'
stats 'accuracy-speed-memory.dat' using 3 nooutput name 'X'
plot 'accuracy-speed-memory.dat' using 3:2:(0.12*X_max*sqrt($4/M_max)) with circles fs transparent solid 0.35 lc rgb '#1f77b4' axes x1y1, \
     '' using 3:2:5 with yerrorbars pt 7 ps 0.4 lc rgb '#1f3f6f', \
     '' using 3:2:1 with labels offset 0,1.6
set terminal svg size 900,600 noenhanced
set output 'accuracy-speed-memory.svg'
set title 'Accuracy vs speed at 4096 tokens (bubble area = peak memory)'
set xlabel 'training steps per second'
set ylabel 'average test accuracy (%)'
set grid
set key off
set offsets graph 0.15, graph 0.15, graph 0.15, graph 0.15
stats 'accuracy-speed-memory.dat' using 4 nooutput name 'M'
stats 'accuracy-speed-memory.dat' using 3 nooutput name 'X'
plot 'accuracy-speed-memory.dat' using 3:2:(0.12*X_max*sqrt($4/M_max)) with circles fs transparent solid 0.35 lc rgb '#1f77b4' axes x1y1, \
     '' using 3:2:5 with yerrorbars pt 7 ps 0.4 lc rgb '#1f3f6f', \
     '' using 3:2:1 with labels offset 0,1.6
