from irisseg.train.csv_log import CsvLog


def test_resume_keeps_rows_up_to_the_checkpoint_and_drops_the_rest(tmp_path):
    log = CsvLog(tmp_path / "log.csv")
    log.start()
    for it in (2, 4, 6):
        log.append({"iteration": it, "loss": 1.0 / it, "lr": 0.1, "it_per_s": 3.0, "wall_s": float(it)})
    CsvLog(tmp_path / "log.csv").start(resume_iteration=4)
    log.append({"iteration": 6, "loss": 0.5, "lr": 0.1, "it_per_s": 3.0, "wall_s": 6.0})
    rows = log.read()
    assert [r["iteration"] for r in rows] == [2, 4, 6]
    assert rows[-1]["loss"] == 0.5


def test_a_fresh_start_truncates(tmp_path):
    log = CsvLog(tmp_path / "log.csv")
    log.start()
    log.append({"iteration": 1, "loss": 1.0, "lr": 0.1, "it_per_s": 1.0, "wall_s": 1.0})
    log.start()
    assert log.read() == []
