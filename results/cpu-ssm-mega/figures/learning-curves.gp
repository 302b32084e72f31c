# learning-curves: render with `gnuplot learning-curves.gp` in this folder
set terminal pngcairo size 1350,800 noenhanced
set output 'learning-curves.png'
set multiplot layout 2,3 title 'Validation accuracy vs update: mean over seeds (line), min-max of the seeds (band)'
set grid
set key bottom right font ',8'
set xlabel 'update'
set ylabel 'val accuracy (%)'
set title 'listops'
plot 'learning-curves.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'text'
plot 'learning-curves.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'retrieval'
plot 'learning-curves.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'image'
plot 'learning-curves.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'pathfinder'
plot 'learning-curves.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
unset multiplot
set terminal svg size 1350,800 noenhanced
set output 'learning-curves.svg'
set multiplot layout 2,3 title 'Validation accuracy vs update: mean over seeds (line), min-max of the seeds (band)'
set grid
set key bottom right font ',8'
set xlabel 'update'
set ylabel 'val accuracy (%)'
set title 'listops'
plot 'learning-curves.dat' index 0 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 1 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'text'
plot 'learning-curves.dat' index 2 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 3 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'retrieval'
plot 'learning-curves.dat' index 4 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 5 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'image'
plot 'learning-curves.dat' index 6 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 7 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 7 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
set title 'pathfinder'
plot 'learning-curves.dat' index 8 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#1f77b4' notitle, '' index 8 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#1f77b4' title 'mega', \
     'learning-curves.dat' index 9 using 1:3:4 with filledcurves fs transparent solid 0.15 noborder lc rgb '#ff7f0e' notitle, '' index 9 using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '#ff7f0e' title 's4d'
unset multiplot
