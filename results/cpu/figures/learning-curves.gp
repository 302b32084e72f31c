# learning-curves: render with `gnuplot learning-curves.gp` in this folder
set terminal pngcairo size 1350,800 noenhanced
set output 'learning-curves.png'
set multiplot layout 2,3 title 'Validation accuracy vs update: mean over seeds (line), min-max of the seeds (band)'
set grid
set key bottom right font ',8'
set xlabel 'update'
set ylabel 'val accuracy (%)'
set title 'listops'
plot 'learning-curves.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'text'
plot 'learning-curves.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 11 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 11 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 12 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 12 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 13 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 13 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'retrieval'
plot 'learning-curves.dat' index 14 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 14 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 15 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 15 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 16 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 16 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 17 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 17 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 18 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 18 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 19 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 19 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 20 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 20 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'image'
plot 'learning-curves.dat' index 21 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 21 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 22 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 22 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 23 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 23 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 24 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 24 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 25 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 25 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 26 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 26 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 27 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 27 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'pathfinder'
plot 'learning-curves.dat' index 28 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 28 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 29 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 29 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 30 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 30 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 31 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 31 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 32 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 32 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 33 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 33 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 34 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 34 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'pathx'
plot 'learning-curves.dat' index 35 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 35 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16'
unset multiplot
set terminal svg size 1350,800 noenhanced
set output 'learning-curves.svg'
set multiplot layout 2,3 title 'Validation accuracy vs update: mean over seeds (line), min-max of the seeds (band)'
set grid
set key bottom right font ',8'
set xlabel 'update'
set ylabel 'val accuracy (%)'
set title 'listops'
plot 'learning-curves.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'text'
plot 'learning-curves.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 10 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 10 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 11 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 11 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 12 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 12 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 13 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 13 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'retrieval'
plot 'learning-curves.dat' index 14 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 14 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 15 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 15 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 16 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 16 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 17 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 17 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 18 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 18 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 19 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 19 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 20 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 20 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'image'
plot 'learning-curves.dat' index 21 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 21 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 22 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 22 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 23 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 23 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 24 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 24 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 25 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 25 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 26 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 26 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 27 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 27 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'pathfinder'
plot 'learning-curves.dat' index 28 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 28 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'linformer', \
     'learning-curves.dat' index 29 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 29 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 'luna-128', \
     'learning-curves.dat' index 30 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 30 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16', \
     'learning-curves.dat' index 31 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#d62728' notitle, '' index 31 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#d62728' title 'luna-256', \
     'learning-curves.dat' index 32 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#9467bd' notitle, '' index 32 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#9467bd' title 'mega', \
     'learning-curves.dat' index 33 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#8c564b' notitle, '' index 33 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#8c564b' title 's4d', \
     'learning-curves.dat' index 34 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#e377c2' notitle, '' index 34 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#e377c2' title 'transformer'
set title 'pathx'
plot 'learning-curves.dat' index 35 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#2ca02c' notitle, '' index 35 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#2ca02c' title 'luna-16'
unset multiplot
