#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stages a sample chaincode from shim/samples as a C++ chaincode package folder (images/README.md):
# CMakeLists.txt building target `chaincode` with fabric::shim, main.cc and SAMPLE/*.{h,cc}
# (tests left out). Headers the sample needs beyond the shim (nlohmann/json.hpp) are copied in.
#   scripts/lib/cc-package-src.sh SAMPLE DEST      e.g. abstore /tmp/src/abstore
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sample=$1
dest=$2
src=$root/shim/samples/$sample
[ -d "$src" ] || { echo "cc-package-src: no sample $sample in shim/samples" >&2; exit 1; }
base=${sample//-/_}
rm -rf "$dest"
mkdir -p "$dest/$sample"
cp "$src/main.cc" "$dest/"
cp "$src/$base.h" "$src/$base.cc" "$dest/$sample/"
if grep -q 'nlohmann/json' "$src/$base.h" "$src/$base.cc"; then
  mkdir -p "$dest/include/nlohmann"
  cp -r /usr/include/nlohmann/. "$dest/include/nlohmann/"
fi
cat > "$dest/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project($base CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(FabricShim REQUIRED)
add_executable(chaincode main.cc $sample/$base.cc)
target_include_directories(chaincode PRIVATE \${CMAKE_CURRENT_SOURCE_DIR} \${CMAKE_CURRENT_SOURCE_DIR}/include)
target_link_libraries(chaincode PRIVATE fabric::shim)
CMAKE
