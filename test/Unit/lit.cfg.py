# -*- Python -*-
# Runs the gtest unit tests as part of the lit suite.
import lit.formats

config.name = "CODA-Unit"
config.suffixes = []
config.test_source_root = config.unit_test_dir
config.test_exec_root = config.unit_test_dir
config.test_format = lit.formats.GoogleTest(".", "Tests")
