"""Reply quality checks (:mod:`.quality`) and their evaluation (:mod:`.evaluate`)."""
