# peak-memory-vs-length: render with `gnuplot peak-memory-vs-length.gp` in this folder
set terminal pngcairo size 900,600 noenhanced
set output 'peak-memory-vs-length.png'
set title 'Peak memory vs length'
set logscale xy 2
set xlabel 'sequence length (tokens)'
set ylabel 'peak tensor memory (MiB)'
set grid
set key top left
plot 'peak-memory-vs-length.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 title 'luna-16', \
     'peak-memory-vs-length.dat' index 1 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 7 title 'luna-128', \
     'peak-memory-vs-length.dat' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 9 title 'luna-256', \
     'peak-memory-vs-length.dat' index 3 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 11 title 'transformer', \
     'peak-memory-vs-length.dat' index 4 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 title 'transformer (materialised)', \
     'peak-memory-vs-length.dat' index 5 using 1:2 with linespoints lw 2 lc rgb '#8c564b' pt 7 title 'linformer', \
     'peak-memory-vs-length.dat' index 6 using 1:2 with linespoints lw 2 lc rgb '#e377c2' pt 9 title 's4d', \
     'peak-memory-vs-length.dat' index 7 using 1:2 with linespoints lw 2 lc rgb '#7f7f7f' pt 11 title 'mega'
set terminal svg size 900,600 noenhanced
set output 'peak-memory-vs-length.svg'
set title 'Peak memory vs length'
set logscale xy 2
set xlabel 'sequence length (tokens)'
set ylabel 'peak tensor memory (MiB)'
set grid
set key top left
plot 'peak-memory-vs-length.dat' index 0 using 1:2 with linespoints lw 2 lc rgb '#1f77b4' pt 5 title 'luna-16', \
     'peak-memory-vs-length.dat' index 1 using 1:2 with linespoints lw 2 lc rgb '#ff7f0e' pt 7 title 'luna-128', \
     'peak-memory-vs-length.dat' index 2 using 1:2 with linespoints lw 2 lc rgb '#2ca02c' pt 9 title 'luna-256', \
     'peak-memory-vs-length.dat' index 3 using 1:2 with linespoints lw 2 lc rgb '#d62728' pt 11 title 'transformer', \
     'peak-memory-vs-length.dat' index 4 using 1:2 with linespoints lw 2 lc rgb '#9467bd' pt 5 title 'transformer (materialised)', \
     'peak-memory-vs-length.dat' index 5 using 1:2 with linespoints lw 2 lc rgb '#8c564b' pt 7 title 'linformer', \
     'peak-memory-vs-length.dat' index 6 using 1:2 with linespoints lw 2 lc rgb '#e377c2' pt 9 title 's4d', \
     'peak-memory-vs-length.dat' index 7 using 1:2 with linespoints lw 2 lc rgb '#7f7f7f' pt 11 title 'mega'
