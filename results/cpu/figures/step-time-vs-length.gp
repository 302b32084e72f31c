# step-time-vs-length: render with `gnuplot step-time-vs-length.gp` in this folder
set terminal pngcairo size 900,600 noenhanced
set output 'step-time-vs-length.png'
set title 'Step time vs length (text config, batch 4)'
set logscale xy 2
set xlabel 'sequence length (tokens)'
set ylabel 'training step time (s, median)'
set grid
set key top left
plot 'step-time-vs-length.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 title 'luna-16', \
     'step-time-vs-length.dat' index 1 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 7 title 'luna-128', \
     'step-time-vs-length.dat' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 9 title 'luna-256', \
     'step-time-vs-length.dat' index 3 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 11 title 'transformer', \
     'step-time-vs-length.dat' index 4 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 title 'transformer (materialised)', \
     'step-time-vs-length.dat' index 5 using 1:2 with linespoints lw 2 lc rgb '#8c564b' pt 7 title 'linformer', \
     'step-time-vs-length.dat' index 6 using 1:2 with linespoints lw 2 lc rgb '#e377c2' pt 9 title 's4d', \
     'step-time-vs-length.dat' index 7 using 1:2 with linespoints lw 2 lc rgb '#7f7f7f' pt 11 title 'mega'
set terminal svg size 900,600 noenhanced
set output 'step-time-vs-length.svg'
set title 'Step time vs length (text config, batch 4)'
set logscale xy 2
set xlabel 'sequence length (tokens)'
set ylabel 'training step time (s, median)'
set grid
set key top left
plot 'step-time-vs-length.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 title 'luna-16', \
     'step-time-vs-length.dat' index 1 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 7 title 'luna-128', \
     'step-time-vs-length.dat' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 9 title 'luna-256', \
     'step-time-vs-length.dat' index 3 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 11 title 'transformer', \
     'step-time-vs-length.dat' index 4 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 title 'transformer (materialised)', \
     'step-time-vs-length.dat' index 5 using 1:2 with linespoints lw 2 lc rgb '#8c564b' pt 7 title 'linformer', \
     'step-time-vs-length.dat' index 6 using 1:2 with linespoints lw 2 lc rgb '#e377c2' pt 9 title 's4d', \
     'step-time-vs-length.dat' index 7 using 1:2 with linespoints lw 2 lc rgb '#7f7f7f' pt 11 title 'mega'
