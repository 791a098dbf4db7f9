from irisseg.train.cli import main

raise SystemExit(main())
