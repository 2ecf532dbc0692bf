// media/: PNG files, the raster primitives and the pixel font, and videos (or their refusal in a build without
// OpenCV).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <numbers>
#include <set>

#include "core/error.h"
#include "media/image.h"
#include "media/png.h"
#include "media/video.h"
#include "tests/test_util.h"

namespace curlrl::media {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr uint8_t kBlack[3] = {0, 0, 0}, kRed[3] = {255, 0, 0};

// Ink of a drawing on white, per pixel in [0, 1]: how far the green channel fell from 255 (black and red both have
// no green, so a fully covered pixel has none left).
double coverage(const Image& img, int x, int y) { return (255.0 - img.at(x, y)[1]) / 255.0; }
double total_coverage(const Image& img) {
  double sum = 0;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) sum += coverage(img, x, y);
  }
  return sum;
}

TEST(Png, RoundTripsEveryPixelAndWritesAtomically) {
  TempDir tmp;
  Image img(7, 5);
  for (size_t i = 0; i < img.rgb.size(); ++i) img.rgb[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  const std::string path = (tmp / "a.png").string();
  write_png(path, img);
  const Image back = read_png(path);
  EXPECT_EQ(back.width, 7);
  EXPECT_EQ(back.height, 5);
  EXPECT_EQ(back.rgb, img.rgb);
  // The PNG signature, and no temporary file left beside it.
  EXPECT_EQ(testing::read_text(path).substr(1, 3), "PNG");
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()), 1);
  // Channels-first frames (the renderer's layout) land in the same pixels.
  write_png(path, to_chw(img), 7, 5);
  EXPECT_EQ(read_png(path).rgb, img.rgb);
}

TEST(Png, BadFilesAreOneLineErrorsNamingThem) {
  TempDir tmp;
  const auto expect_error = [](const std::function<void()>& f, const std::string& path, const std::string& why) {
    try {
      f();
      ADD_FAILURE() << "no error for " << path;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(path), std::string::npos) << what;
      EXPECT_NE(what.find(why), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  };
  const std::string missing = (tmp / "missing.png").string(), damaged = (tmp / "damaged.png").string();
  expect_error([&] { read_png(missing); }, missing, "cannot read");
  Image img(4, 4, 9);
  write_png(damaged, img);
  std::string bytes = testing::read_text(damaged);
  testing::write_text(damaged, bytes.substr(0, bytes.size() / 2));  // cut short
  expect_error([&] { read_png(damaged); }, damaged, "not a valid PNG");
  const std::string old = (tmp / "old.png").string();
  write_png(old, img);
  expect_error([&] { write_png(old, to_chw(img), 5, 5); }, old, "wrong size");
  EXPECT_EQ(read_png(old).rgb, img.rgb);  // the file already there is untouched
  expect_error([&] { write_png((tmp / "no/such/dir/x.png").string(), img); }, "x.png", "");
}

TEST(Raster, RotatePasteAndUpscaleMovePixelsWhereTheyBelong) {
  Image img(3, 2, 0);  // pixel (x, y) has red = 10 * (3y + x) + 1
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 3; ++x) img.at(x, y)[0] = static_cast<uint8_t>(10 * (3 * y + x) + 1);
  }
  const Image r = rotate_left(img);  // 2 wide, 3 tall: the top row, read right to left, becomes the left column
  ASSERT_EQ(r.width, 2);
  ASSERT_EQ(r.height, 3);
  const int want[3][2] = {{21, 51}, {11, 41}, {1, 31}};
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 2; ++x) EXPECT_EQ(r.at(x, y)[0], want[y][x]) << x << "," << y;
  }
  Image canvas(4, 4, 255);
  paste(canvas, img, 2, 3);  // only the top-left 2 x 1 fits
  EXPECT_EQ(canvas.at(2, 3)[0], 1);
  EXPECT_EQ(canvas.at(3, 3)[0], 11);
  EXPECT_EQ(canvas.at(1, 3)[0], 255);
  EXPECT_EQ(canvas.at(2, 2)[0], 255);
  paste(canvas, img, -1, -1);  // only the bottom-right 2 x 1
  EXPECT_EQ(canvas.at(0, 0)[0], 41);
  EXPECT_EQ(canvas.at(1, 0)[0], 51);
  const Image big = upscale(img, 3);
  EXPECT_EQ(big.width, 9);
  EXPECT_EQ(big.at(8, 5)[0], 51);
  EXPECT_EQ(big.at(3, 2)[0], 11);
  EXPECT_EQ(from_chw(to_chw(img), 3, 2).rgb, img.rgb);
}

TEST(Raster, BoxesFillAndFrameExactlyTheirPixels) {
  Image img(10, 8);
  fill_box(img, {2, 1, 4, 3}, kBlack);
  EXPECT_NEAR(total_coverage(img), 9, 1e-9);
  EXPECT_EQ(coverage(img, 2, 1), 1);
  EXPECT_EQ(coverage(img, 5, 1), 0);
  Image framed(10, 8);
  frame_box(framed, whole(framed), kBlack, 2);  // 10 x 8 minus the 6 x 4 inside
  EXPECT_NEAR(total_coverage(framed), 80 - 24, 1e-9);
  Image clipped(4, 4);
  fill_box(clipped, {-5, -5, 1, 100}, kBlack);  // clipped to the image: two columns
  EXPECT_NEAR(total_coverage(clipped), 8, 1e-9);
}

TEST(Raster, AntiAliasedLinesCoverTheirAreaAndStayInTheClip) {
  // A horizontal line one pixel wide through pixel centres: exactly its row, fully.
  Image row(20, 5);
  draw_line(row, 3, 2, 12, 2, kBlack, 1, whole(row));
  EXPECT_NEAR(total_coverage(row), 10, 0.02);
  for (int x = 3; x <= 12; ++x) EXPECT_EQ(coverage(row, x, 2), 1) << x;
  EXPECT_EQ(coverage(row, 7, 1), 0);
  // Two pixels wide, between rows: half of each of the two rows on either side of y = 2 (|d| = 1 from row 1 and
  // 3 gives clamp(1 + 0.5 - 1) = 0.5; row 2 is fully covered).
  Image wide(20, 5);
  draw_line(wide, 5, 2, 14, 2, kBlack, 2, whole(wide));
  EXPECT_EQ(coverage(wide, 9, 2), 1);
  // Half of white (127.5) rounds away from zero to 128, which leaves a coverage of 127/255.
  EXPECT_NEAR(coverage(wide, 9, 1), 127.0 / 255, 1e-9);
  EXPECT_NEAR(coverage(wide, 9, 3), 127.0 / 255, 1e-9);
  // A long diagonal: the ink is about length x width (the rounded caps add a little).
  Image diag(120, 120);
  draw_line(diag, 10, 10, 100, 100, kBlack, 2, whole(diag));
  const double length = 90 * std::numbers::sqrt2;
  EXPECT_NEAR(total_coverage(diag), length * 2, 0.03 * length * 2);
  // The clip box: nothing outside it.
  Image clip(30, 30);
  draw_line(clip, 0, 15, 29, 15, kRed, 3, {10, 0, 19, 29});
  for (int x : {0, 9, 20, 29}) EXPECT_EQ(coverage(clip, x, 15), 0) << x;
  EXPECT_EQ(coverage(clip, 15, 15), 1);
  // Red means red: the blue channel falls with coverage, the red one stays.
  EXPECT_EQ(clip.at(15, 15)[0], 255);
  EXPECT_EQ(clip.at(15, 15)[2], 0);
}

TEST(Raster, DiscsCoverPiRSquared) {
  for (double r : {3.0, 10.0, 20.0}) {
    Image img(64, 64);
    fill_disc(img, 31.3, 30.6, r, kBlack, whole(img));
    EXPECT_NEAR(total_coverage(img), std::numbers::pi * r * r, 0.02 * std::numbers::pi * r * r + 1) << r;
    EXPECT_EQ(coverage(img, 31, 31), 1);
  }
}

TEST(Font, EveryPrintableCharacterHasItsOwnGlyphWithinItsCell) {
  std::set<std::string> seen;  // the pixels as bytes (a set of vectors trips a GCC 12 false warning)
  for (int c = 33; c < 127; ++c) {
    const std::string s(1, static_cast<char>(c));
    Image img(12, 16);
    draw_text(img, s, 3, 10, kBlack);  // cell: columns 3-7, rows 3-9 above the baseline, 10-11 below
    int inked = 0;
    for (int y = 0; y < img.height; ++y) {
      for (int x = 0; x < img.width; ++x) {
        if (coverage(img, x, y) == 0) continue;
        ++inked;
        EXPECT_TRUE(x >= 3 && x <= 7 && y >= 3 && y <= 11) << "'" << s << "' inks (" << x << ", " << y << ")";
      }
    }
    EXPECT_GT(inked, 1) << "'" << s << "'";
    EXPECT_TRUE(seen.insert(std::string(img.rgb.begin(), img.rgb.end())).second) << "'" << s << "' looks like another character";
  }
  // Only g, j, p, q, y (and , ; _) reach below the baseline.
  for (char c : std::string("AZaz09gjpqy,;_")) {
    Image img(12, 16);
    draw_text(img, std::string(1, c), 3, 10, kBlack);
    double below = 0;
    for (int y = 10; y < 16; ++y) {
      for (int x = 0; x < 12; ++x) below += coverage(img, x, y);
    }
    EXPECT_EQ(below > 0, std::string("gjpqy,;_").find(c) != std::string::npos) << c;
  }
}

TEST(Font, WidthsScaleAndUnknownBytesDrawAsQuestionMarks) {
  EXPECT_EQ(text_width(""), 0);
  EXPECT_EQ(text_width("a"), 5);
  EXPECT_EQ(text_width("ab"), 11);
  EXPECT_EQ(text_width("ab", 2), 22);
  EXPECT_EQ(text_width("ab", 1, true), 12);
  EXPECT_EQ(text_cap_height(3), 21);
  // Scale 2 is scale 1 with every pixel doubled.
  Image one(12, 12), two(24, 24);
  draw_text(one, "R", 1, 9, kBlack);
  draw_text(two, "R", 2, 18, kBlack, 2);
  EXPECT_EQ(upscale(one, 2).rgb, two.rgb);
  // A byte outside printable ASCII (here half of a UTF-8 sequence) is drawn as '?', not skipped.
  Image odd(12, 12), question(12, 12);
  draw_text(odd, std::string(1, static_cast<char>(0xC3)), 1, 9, kBlack);
  draw_text(question, "?", 1, 9, kBlack);
  EXPECT_EQ(odd.rgb, question.rgb);
  // Bold: every inked pixel and the one to its right. 'I' is a 3-pixel bar, five single pixels and another bar
  // (11 pixels); bold makes them 4, 2 and 4 wide (18).
  Image plain(12, 12), bold(12, 12);
  draw_text(plain, "I", 1, 9, kBlack);
  draw_text(bold, "I", 1, 9, kBlack, 1, true);
  EXPECT_NEAR(total_coverage(plain), 11, 1e-9);
  EXPECT_NEAR(total_coverage(bold), 18, 1e-9);
}

TEST(Video, AvailableExactlyWhenTheBuildHasOpenCv) {
  TempDir tmp;
  const std::string path = (tmp / "clip.mp4").string();
  if (has_video()) {
    EXPECT_EQ(video_support().rfind("OpenCV ", 0), 0u) << video_support();
    EXPECT_NO_THROW(require_video("anything"));
    {
      VideoWriter w(path, 16, 16, 10);
      std::vector<uint8_t> chw(3 * 16 * 16, 0);
      std::fill(chw.begin(), chw.begin() + 256, static_cast<uint8_t>(220));  // red
      const Image red = from_chw(chw, 16, 16);
      for (int k = 0; k < 5; ++k) k % 2 == 0 ? w.add(chw) : w.add(red);  // both layouts, the same pixels
      EXPECT_THROW(w.add(std::vector<uint8_t>(3 * 16 * 15)), Error);
      EXPECT_THROW(w.add(Image(16, 15)), Error);
      w.close();
    }
    EXPECT_TRUE(readable_video(path));
    const auto frames = read_video(path, 8, 4, 0.0, 3);  // scaled to cover 8 x 4 and cropped
    ASSERT_EQ(frames.size(), 3u);
    ASSERT_EQ(frames[0].size(), 8u * 4 * 3);
    EXPECT_NEAR(frames[0][0], 220, 15);
    EXPECT_NEAR(frames[0][2], 0, 15);
    EXPECT_NEAR(frames[1][0], 220, 15);
    EXPECT_NEAR(frames[1][2], 0, 15);
    // A writer dropped before close() leaves nothing.
    { VideoWriter unfinished((tmp / "unfinished.mp4").string(), 16, 16, 10); }
    EXPECT_FALSE(fs::exists(tmp / "unfinished.mp4"));
    EXPECT_FALSE(fs::exists(tmp / "unfinished.mp4.tmp.mp4"));
  } else {
    EXPECT_NE(video_support().find("-DCURLRL_WITH_OPENCV=OFF"), std::string::npos);
    for (const auto& f : std::vector<std::function<void()>>{
             [&] { VideoWriter w(path, 16, 16, 10); }, [&] { read_video(path, 8, 8, 0, 1); },
             [&] { require_video("save_video=true"); }}) {
      try {
        f();
        ADD_FAILURE() << "a video without OpenCV";
      } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("-DCURLRL_WITH_OPENCV=OFF"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      }
    }
    EXPECT_FALSE(readable_video(path));
    EXPECT_FALSE(fs::exists(path));
  }
}

}  // namespace
}  // namespace curlrl::media
