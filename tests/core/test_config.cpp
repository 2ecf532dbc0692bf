#include <gtest/gtest.h>

#include "core/config.h"
#include "core/schema.h"
#include "tests/core/small_config.h"
#include "tests/test_util.h"

namespace curlrl::config {
namespace {

using curlrl::testing::TempDir;
using curlrl::testing::write_text;

using curlrl::testing::small_schema;

void write_small_configs(const TempDir& dir) { curlrl::testing::write_small_config_files(dir.path()); }

TEST(Config, DefaultsComposeGroupsInOrder) {
  TempDir dir;
  write_small_configs(dir);
  const Schema s = small_schema();
  const Config c = compose(s, dir.path().string(), {}).config;
  EXPECT_EQ(c.get_int("seed"), 1);
  EXPECT_DOUBLE_EQ(c.get_float("lr"), 0.001);
  EXPECT_FALSE(c.get_bool("flag"));
  EXPECT_EQ(c.get_string("agent.name"), "a");
  EXPECT_EQ(c.get_int("agent.batch_size"), 512);
  EXPECT_EQ(c.get_string("task.name"), "t1");
  EXPECT_EQ(c.get_int("task.repeat"), 8);
  EXPECT_EQ(c.get_list("augment.name"), std::vector<std::string>{"crop"});
  EXPECT_EQ(c.get_int("augment.size"), 84);
  EXPECT_EQ(c.get_string("out"), "default.csv");  // the schema's fallback
}

TEST(Config, TaskFileOverridesAgentValuesBecauseItComesLater) {
  TempDir dir;
  write_small_configs(dir);
  const Schema s = small_schema();
  const Config c = compose(s, dir.path().string(), {"task=t2"}).config;
  EXPECT_EQ(c.get_int("task.repeat"), 2);
  EXPECT_EQ(c.get_int("agent.batch_size"), 256);
}

TEST(Config, ATaskSpecialisedForAnAgentComesAfterTheGroupFilesAndBeforeTheCommandLine) {
  TempDir dir;
  write_small_configs(dir);
  write_text(dir / "task/t1+a.yaml", "agent:\n  batch_size: 128\n");
  const Schema s = small_schema();
  EXPECT_EQ(compose(s, dir.path().string(), {}).config.get_int("agent.batch_size"), 128);  // a on t1: specialised
  EXPECT_EQ(compose(s, dir.path().string(), {"agent=b"}).config.get_int("agent.batch_size"), 64);  // b: no file
  EXPECT_EQ(compose(s, dir.path().string(), {"task=t2"}).config.get_int("agent.batch_size"), 256);  // t2's own
  EXPECT_EQ(compose(s, dir.path().string(), {"agent.batch_size=32"}).config.get_int("agent.batch_size"), 32);
  EXPECT_EQ(specialisation_file(dir.path().string(), "t1", "a"), (dir / "task/t1+a.yaml").string());
  EXPECT_EQ(specialisation_file(dir.path().string(), "t1", "b"), "");
  // It may not choose groups: that is what the group files' defaults lists are for.
  write_text(dir / "task/t1+a.yaml", "defaults:\n  - augment: none\nagent:\n  batch_size: 128\n");
  try {
    compose(s, dir.path().string(), {});
    FAIL() << "a defaults list in a specialisation was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("t1+a.yaml: a task's specialisation for an agent chooses no groups"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, EveryOverrideForm) {
  TempDir dir;
  write_small_configs(dir);
  const Schema s = small_schema();
  const Config c = compose(s, dir.path().string(),
                           {"seed=7", "lr=2e-4", "flag=true", "agent.batch_size=128", "agent.mode=fast",
                            "augment=[crop,cutout]", "out=\"a b.csv\"", "task.name=t2"})
                       .config;
  EXPECT_EQ(c.get_int("seed"), 7);
  EXPECT_DOUBLE_EQ(c.get_float("lr"), 2e-4);
  EXPECT_TRUE(c.get_bool("flag"));
  EXPECT_EQ(c.get_int("agent.batch_size"), 128);  // the key wins over the group files
  EXPECT_EQ(c.get_string("agent.mode"), "fast");
  EXPECT_EQ(c.get_list("augment.name"), (std::vector<std::string>{"crop", "cutout"}));
  EXPECT_EQ(c.get_int("augment.size"), 80);  // files merged in the listed order: cutout last
  EXPECT_EQ(c.get_string("out"), "a b.csv");
  EXPECT_EQ(c.get_string("task.name"), "t2");  // <group>.name is the group choice
  EXPECT_EQ(c.get_int("task.repeat"), 2);
}

TEST(Config, ScientificNotationOfWholeNumbersIsAnInt) {
  TempDir dir;
  write_small_configs(dir);
  const Config c = compose(small_schema(), dir.path().string(), {"seed=5e5"}).config;
  EXPECT_EQ(c.get_int("seed"), 500000);
}

TEST(Config, GroupFileDefaultsChooseLaterGroupsUnlessTheCommandLineDid) {
  TempDir dir;
  write_small_configs(dir);
  const Schema s = small_schema();
  Config c = compose(s, dir.path().string(), {"agent=b"}).config;
  EXPECT_EQ(c.get_list("augment.name"), std::vector<std::string>{"none"});
  EXPECT_EQ(c.get_int("augment.size"), 100);
  c = compose(s, dir.path().string(), {"agent=b", "augment=cutout"}).config;
  EXPECT_EQ(c.get_list("augment.name"), std::vector<std::string>{"cutout"});
}

// Each error is a ConfigError whose one-line message names the problem.
std::string error_of(const std::vector<std::string>& overrides, const std::string& dir) {
  try {
    compose(small_schema(), dir, overrides);
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    return msg;
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Config, NumbersBeyondTheTypesRangeAndLongValuesAreNamedBriefly) {
  TempDir dir;
  write_small_configs(dir);
  const std::string big_int = error_of({"seed=1e30"}, dir.path());
  EXPECT_NE(big_int.find("seed=1e30: expected int >= 0; it is beyond the range of a 64-bit integer"), std::string::npos)
      << big_int;
  EXPECT_NE(error_of({"seed=99999999999999999999"}, dir.path()).find("beyond the range of a 64-bit integer"),
            std::string::npos);
  const std::string big_float = error_of({"lr=1e400"}, dir.path());
  EXPECT_NE(big_float.find("lr=1e400: expected float >= 0.0; it is beyond the range of a double"), std::string::npos)
      << big_float;
  // A 100 kB value is cut in the message, which says how long it was.
  const std::string huge(100000, 'x');
  const std::string e = error_of({"agent.mode=" + huge}, dir.path());
  EXPECT_LT(e.size(), 300u) << e.substr(0, 300);
  EXPECT_NE(e.find("agent.mode=" + std::string(80, 'x') + "... (100000 characters): expected string (one of: fast, "
                   "exact)"),
            std::string::npos)
      << e.substr(0, 300);
  EXPECT_NE(error_of({"agent.batch_size=" + std::string(200, '7')}, dir.path()).find("(200 characters)"),
            std::string::npos);
  const std::string group = error_of({"agent=" + huge}, dir.path());
  EXPECT_LT(group.size(), 300u) << group.substr(0, 300);
  EXPECT_NE(group.find("... (100000 characters): unknown agent"), std::string::npos) << group.substr(0, 300);
}

TEST(Config, UnknownKeyNamesTheNearestValidKey) {
  TempDir dir;
  write_small_configs(dir);
  EXPECT_NE(error_of({"agent.batchsize=3"}, dir.path()).find("did you mean agent.batch_size?"), std::string::npos);
  EXPECT_NE(error_of({"batch_size=3"}, dir.path()).find("did you mean agent.batch_size?"), std::string::npos);
  EXPECT_NE(error_of({"sed=3"}, dir.path()).find("did you mean seed?"), std::string::npos);
}

TEST(Config, WrongTypesAndRangesNameKeyValueAndExpectation) {
  TempDir dir;
  write_small_configs(dir);
  std::string e = error_of({"agent.batch_size=-1"}, dir.path());
  EXPECT_NE(e.find("agent.batch_size=-1"), std::string::npos) << e;
  EXPECT_NE(e.find("expected int >= 1"), std::string::npos) << e;
  e = error_of({"lr=abc"}, dir.path());
  EXPECT_NE(e.find("lr=abc"), std::string::npos) << e;
  EXPECT_NE(e.find("expected float"), std::string::npos) << e;
  e = error_of({"seed=1.5"}, dir.path());
  EXPECT_NE(e.find("seed=1.5"), std::string::npos) << e;
  EXPECT_NE(e.find("expected int"), std::string::npos) << e;
  e = error_of({"flag=maybe"}, dir.path());
  EXPECT_NE(e.find("expected bool"), std::string::npos) << e;
  e = error_of({"task.repeat=101"}, dir.path());
  EXPECT_NE(e.find("in [1, 100]"), std::string::npos) << e;
  e = error_of({"agent.mode=slow"}, dir.path());
  EXPECT_NE(e.find("one of: fast, exact"), std::string::npos) << e;
  e = error_of({"seed"}, dir.path());
  EXPECT_NE(e.find("not of the form key=value"), std::string::npos) << e;
}

TEST(Config, UnknownGroupChoiceListsTheAvailableOnes) {
  TempDir dir;
  write_small_configs(dir);
  const std::string e = error_of({"task=t3"}, dir.path());
  EXPECT_NE(e.find("unknown task"), std::string::npos) << e;
  EXPECT_NE(e.find("available: t1, t2"), std::string::npos) << e;
  EXPECT_NE(error_of({"augment=[crop,nope]"}, dir.path()).find("available: crop, cutout, none"), std::string::npos);
}

TEST(Config, MalformedYamlNamesFileAndLine) {
  TempDir dir;
  write_small_configs(dir);
  write_text(dir / "task/t1.yaml", "task:\n  repeat: 8\n  bad: [unclosed\n");
  const std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("malformed YAML"), std::string::npos) << e;
}

TEST(Config, AnUnclosedBracketIsReportedOnTheLineThatOpensIt) {
  TempDir dir;
  write_small_configs(dir);
  // yaml-cpp notices only at the next mapping (line 3); the mistake is on line 2.
  write_text(dir / "task/t1.yaml", "task:\n  repeat: [8\nagent:\n  batch_size: 4\n");
  std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:2: malformed YAML: end of sequence flow not found"), std::string::npos) << e;
  // Brackets inside quotes and comments do not count; a closed one before it does not either.
  write_text(dir / "task/t1.yaml", "# a [comment\ntask: {repeat: 8}\nagent:\n  mode: \"[x\"\n  batch_size: {a: 1\n");
  e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:5: malformed YAML"), std::string::npos) << e;
  // Other syntax errors keep yaml-cpp's line, which is right for them.
  write_text(dir / "task/t1.yaml", "task:\n  repeat: 8\n repeat2: 9\n");
  e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:3: malformed YAML"), std::string::npos) << e;
}

TEST(Config, AKeySetTwiceInOneFileIsAnErrorNamingBothLines) {
  TempDir dir;
  write_small_configs(dir);
  // YAML forbids a mapping with a key twice; yaml-cpp would quietly take the first.
  write_text(dir / "agent/a.yaml", "agent:\n  batch_size: 512\n  mode: exact\n  batch_size: 64\n");
  std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("a.yaml:4: key 'batch_size' appears twice in one mapping (first on line 2)"), std::string::npos)
      << e;
  // The same key spelled dotted and nested.
  write_text(dir / "agent/a.yaml", "agent.batch_size: 512\nagent:\n  mode: exact\n  batch_size: 64\n");
  e = error_of({}, dir.path());
  EXPECT_NE(e.find("a.yaml:4: agent.batch_size is set twice in this file (also on line 1)"), std::string::npos) << e;
  // A later file setting a key again is composition, not a mistake.
  write_small_configs(dir);
  EXPECT_NO_THROW(compose(small_schema(), dir.path().string(), {"task=t2"}));
}

// Inputs the fuzzer found (tests/fuzz/corpus/yaml/crash_*): each was an exception other than ConfigError, or a
// message of more than one line.
TEST(Config, FuzzerFindingsAreOneLineConfigErrors) {
  TempDir dir;
  write_small_configs(dir);
  // A scalar where a run's config.yaml has a group mapping: yaml-cpp threw BadSubscript.
  write_text(dir / "run.yaml", "task:\n  repeat 8\n");
  try {
    Config::from_yaml_file(small_schema(), (dir / "run.yaml").string());
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("run.yaml"), std::string::npos) << e.what();
  }
  // A NUL byte in a value: yaml-cpp's message ended in the raw character that follows it, a newline.
  write_text(dir / "task/t1.yaml", std::string("task:\n  repeat: 8\t\0\n  repeat: 9\n", 32));
  const std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:"), std::string::npos) << e;
}

TEST(Config, InfinityAndNanAreNotNumbers) {
  TempDir dir;
  write_small_configs(dir);
  for (const std::string v : {"inf", "-inf", "nan", "infinity", ".inf", ".nan"}) {
    const std::string e = error_of({"lr=" + v}, dir.path());
    EXPECT_NE(e.find("lr=" + v + ": expected float >= 0.0; it must be a finite number"), std::string::npos) << e;
  }
  write_text(dir / "config.yaml",
             "defaults:\n  - agent: a\n  - augment: crop\n  - task: t1\nseed: 1\nlr: .inf\nflag: false\n");
  EXPECT_NE(error_of({}, dir.path()).find("config.yaml:6: lr=.inf"), std::string::npos) << error_of({}, dir.path());
}

TEST(Config, UnknownKeyInAFileNamesFileLineAndNearestKey) {
  TempDir dir;
  write_small_configs(dir);
  write_text(dir / "agent/a.yaml", "agent:\n  batch_size: 512\n  mdoe: exact\n");
  const std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("a.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean agent.mode?"), std::string::npos) << e;
}

TEST(Config, WrongTypeInAFileNamesFileAndLine) {
  TempDir dir;
  write_small_configs(dir);
  write_text(dir / "task/t1.yaml", "task:\n  repeat: eight\n");
  const std::string e = error_of({}, dir.path());
  EXPECT_NE(e.find("t1.yaml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("task.repeat=eight"), std::string::npos) << e;
}

TEST(Config, AKeyNoFileSetsIsAnError) {
  TempDir dir;
  write_small_configs(dir);
  write_text(dir / "task/t1.yaml", "task: {}\n");
  EXPECT_NE(error_of({}, dir.path()).find("'task.repeat' has no value"), std::string::npos);
}

TEST(Config, ResolvedConfigWrittenAndReadBackEqual) {
  TempDir dir;
  write_small_configs(dir);
  const Schema s = small_schema();
  const Config c =
      compose(s, dir.path().string(), {"lr=0.1", "augment=[crop,cutout]", "out=we: ird, \"text\""}).config;
  write_text(dir / "resolved.yaml", c.to_yaml());
  const Config back = Config::from_yaml_file(s, (dir / "resolved.yaml").string());
  EXPECT_EQ(back, c);
  EXPECT_DOUBLE_EQ(back.get_float("lr"), 0.1);
  EXPECT_EQ(back.get_string("out"), "we: ird, \"text\"");
}

TEST(Config, ProjectDefaultsTrainCurlOnCartpoleWithThePapersSettings) {
  const Schema s = make_schema("train");
  const Config c = compose(s, default_config_dir(), {}).config;
  EXPECT_EQ(c.get_string("task.name"), "cartpole_swingup");
  EXPECT_EQ(c.get_string("agent.name"), "curl");
  EXPECT_EQ(c.get_string("encoder.name"), "pixel");
  EXPECT_EQ(c.get_int("task.action_repeat"), 8);
  EXPECT_EQ(c.get_int("agent.batch_size"), 512);
  EXPECT_DOUBLE_EQ(c.get_float("agent.critic_tau"), 0.01);
  EXPECT_DOUBLE_EQ(c.get_float("agent.encoder_tau"), 0.05);
  const Config cheetah = compose(s, default_config_dir(), {"task=cheetah_run"}).config;
  EXPECT_DOUBLE_EQ(cheetah.get_float("agent.actor_lr"), 2e-4);
  EXPECT_DOUBLE_EQ(cheetah.get_float("agent.encoder_lr"), 2e-4);
  EXPECT_EQ(cheetah.get_int("task.action_repeat"), 4);
  for (const auto& [task, repeat] : std::vector<std::pair<std::string, int>>{
           {"finger_spin", 2}, {"walker_walk", 2}, {"reacher_easy", 4}, {"ball_in_cup_catch", 4}}) {
    EXPECT_EQ(compose(s, default_config_dir(), {"task=" + task}).config.get_int("task.action_repeat"), repeat) << task;
  }
  const Config state = compose(s, default_config_dir(), {"agent=state_sac"}).config;
  EXPECT_EQ(state.get_string("encoder.name"), "identity");
  EXPECT_EQ(state.get_string("task.observation"), "states");
}

}  // namespace
}  // namespace curlrl::config
