"""Ready-made variables, one Django app each: cmdline, resource, psutil, memstats and http."""
