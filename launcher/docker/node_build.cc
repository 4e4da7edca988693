// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/node_build.h"

#include <filesystem>

#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "common/archive/archive.h"
#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"

namespace fabric::launcher::docker {
namespace {

// Where the builder finds the peer's npm settings and CA bundle.
constexpr char kNpmrcPath[] = "/etc/fabric-cpp/npm/npmrc";
constexpr char kCaPath[] = "/etc/fabric-cpp/npm/ca.crt";

// What a package may expand to when the launcher reads it (the install limits' default).
constexpr archive::ReadLimits kPackageLimits{
    .max_entries = 100000, .max_total_bytes = 512ull << 20, .max_entry_bytes = 512ull << 20};

bool IsFile(const char* path) {
  std::error_code ec;
  return path != nullptr && *path != '\0' && std::filesystem::is_regular_file(path, ec);
}

// A package entry's name without a leading "/" (Fabric's node platform accepts both).
std::string_view EntryName(std::string_view path) {
  return path.starts_with('/') ? path.substr(1) : path;
}

Status CheckPackageJson(const std::string& ccid, const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgumentError(absl::StrFormat(
        "node chaincode %s: package.json is not a JSON object: fix its syntax", ccid));
  }
  auto scripts = json.find("scripts");
  const bool has_start = scripts != json.end() && scripts->is_object() &&
                         scripts->contains("start") && (*scripts)["start"].is_string() &&
                         !(*scripts)["start"].get<std::string>().empty();
  if (!has_start) {
    return InvalidArgumentError(absl::StrFormat(
        "node chaincode %s: package.json has no \"start\" script; the peer runs the chaincode "
        "with `npm start -- --peer.address <addr>`: add e.g. \"scripts\": {\"start\": "
        "\"node index.js\"} (or \"fabric-chaincode-node start\" for fabric-contract-api)",
        ccid));
  }
  return Status::OK();
}

}  // namespace

std::vector<std::string> HostNpmEnv(const std::function<const char*(const char*)>& getenv) {
  static constexpr const char* kNames[] = {
      "HTTP_PROXY", "http_proxy", "HTTPS_PROXY",         "https_proxy",
      "NO_PROXY",   "no_proxy",   "NPM_CONFIG_REGISTRY", "npm_config_registry",
  };
  std::vector<std::string> env;
  for (const char* name : kNames) {
    const char* value = getenv(name);
    if (value != nullptr && *value != '\0') {
      env.push_back(std::string(name) + "=" + value);
    }
  }
  return env;
}

void NodeBuildOptions::WithHostDefaults(const std::function<const char*(const char*)>& getenv) {
  if (npmrc_file.empty()) {
    const char* user_config = getenv("NPM_CONFIG_USERCONFIG");
    const char* home = getenv("HOME");
    const std::string home_npmrc = home != nullptr ? std::string(home) + "/.npmrc" : "";
    if (IsFile(user_config)) {
      npmrc_file = user_config;
    } else if (IsFile(home_npmrc.c_str())) {
      npmrc_file = home_npmrc;
    }
  }
  if (ca_file.empty()) {
    for (const char* name : {"NODE_EXTRA_CA_CERTS", "NPM_CONFIG_CAFILE", "npm_config_cafile"}) {
      if (IsFile(getenv(name))) {
        ca_file = getenv(name);
        break;
      }
    }
  }
  if (env.empty()) {
    env = HostNpmEnv(getenv);
  }
}

StatusOr<NodePackageInfo> CheckNodePackage(const std::string& ccid,
                                           const std::string& code_package) {
  StatusOr<std::vector<archive::Entry>> entries = archive::Read(code_package, kPackageLimits);
  if (!entries.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("node chaincode %s: the code package cannot be read (%s): package the "
                        "chaincode folder again with `peer chaincode package -l node`",
                        ccid, entries.status().message()));
  }
  NodePackageInfo info;
  const archive::Entry* package_json = nullptr;
  for (const archive::Entry& e : *entries) {
    const std::string_view name = EntryName(e.path);
    if (e.type != archive::EntryType::kFile) {
      continue;
    }
    if (name == "src/package.json") {
      package_json = &e;
    }
    info.has_lock =
        info.has_lock || name == "src/package-lock.json" || name == "src/npm-shrinkwrap.json";
  }
  if (package_json == nullptr) {
    return InvalidArgumentError(absl::StrFormat(
        "node chaincode %s: no package.json at the top of the package (src/package.json): "
        "package the folder that holds package.json with `peer chaincode package -l node -p DIR`",
        ccid));
  }
  RETURN_IF_ERROR(CheckPackageJson(ccid, package_json->content));
  return info;
}

std::string NodeBuildScript(const NodePackageInfo& info) {
  // npm ci installs exactly the lock file's tree and fails when it disagrees with package.json.
  const char* install = info.has_lock ? "npm ci --omit=dev" : "npm install --omit=dev";
  return absl::StrFormat(
      "set -e\n"
      "mkdir -p /chaincode/output/src\n"
      "cp -R /chaincode/input/src/. /chaincode/output/src/\n"
      "cd /chaincode/output/src\n"
      "echo \"node $(node --version), npm $(npm --version): %s\"\n"
      "%s\n"
      "cd /chaincode/output\n"
      "tar -cf %s src\n",
      install, install, kNodeBuildOutput);
}

StatusOr<NodeBuilderSpec> NodeBuilder(const NodeBuildOptions& options,
                                      const NodePackageInfo& info) {
  NodeBuilderSpec spec;
  spec.cmd = {"/bin/sh", "-c", NodeBuildScript(info)};
  spec.env = options.env;
  if (!options.npmrc_file.empty()) {
    StatusOr<std::string> npmrc = crypto::ReadFile(options.npmrc_file);
    if (!npmrc.ok()) {
      return FailedPreconditionError(
          absl::StrFormat("the npm settings file %s (chaincode.node.npmrc) cannot be read: %s",
                          options.npmrc_file, npmrc.status().message()));
    }
    spec.files[kNpmrcPath] = std::move(*npmrc);
    spec.env.push_back(std::string("NPM_CONFIG_USERCONFIG=") + kNpmrcPath);
  }
  if (!options.ca_file.empty()) {
    StatusOr<std::string> ca = crypto::ReadFile(options.ca_file);
    if (!ca.ok()) {
      return FailedPreconditionError(
          absl::StrFormat("the CA bundle %s (chaincode.node.cafile) cannot be read: %s",
                          options.ca_file, ca.status().message()));
    }
    spec.files[kCaPath] = std::move(*ca);
    // Node adds these to its own roots; npm's cafile (from the host's settings, a path that
    // does not exist in the builder) is pointed at the same bundle.
    spec.env.push_back(std::string("NODE_EXTRA_CA_CERTS=") + kCaPath);
    spec.env.push_back(std::string("NPM_CONFIG_CAFILE=") + kCaPath);
  }
  return spec;
}

std::string NodeRuntimeDockerfile(const std::string& runtime_image) {
  return absl::StrFormat(
      "FROM %s\n"
      "ADD binpackage.tar /usr/local/\n"
      "WORKDIR /usr/local/src\n"
      "ENV CORE_CHAINCODE_BUILDLEVEL=fabric-cpp\n"
      "CMD [\"npm\", \"start\"]\n",
      runtime_image);
}

std::vector<std::string> NodeStartCommand(const std::string& peer_address,
                                          const std::vector<std::string>& extra_args) {
  std::vector<std::string> cmd = {"npm", "start"};
  if (!peer_address.empty() || !extra_args.empty()) {
    cmd.push_back("--");
  }
  if (!peer_address.empty()) {
    cmd.push_back("--peer.address");
    cmd.push_back(peer_address);
  }
  cmd.insert(cmd.end(), extra_args.begin(), extra_args.end());
  return cmd;
}

StatusOr<BuildRecipe> NodeBuildRecipe(const std::string& ccid, const std::string& code_package,
                                      const NodeBuildOptions& options) {
  ASSIGN_OR_RETURN(NodePackageInfo info, CheckNodePackage(ccid, code_package));
  ASSIGN_OR_RETURN(NodeBuilderSpec spec, NodeBuilder(options, info));
  BuildRecipe recipe;
  recipe.type = "NODE";
  recipe.image = options.builder_image;
  recipe.cmd = std::move(spec.cmd);
  recipe.env = std::move(spec.env);
  recipe.needs_network = true;  // npm reaches the registry as the host does
  if (!spec.files.empty()) {
    std::vector<archive::Entry> files;
    for (const auto& [path, content] : spec.files) {
      files.push_back(archive::File(path.substr(1), content, 0644));
    }
    ASSIGN_OR_RETURN(recipe.uploads["/"], archive::Write(files));
  }
  recipe.output = kNodeBuildOutput;
  recipe.runtime_image = options.runtime_image;
  recipe.dockerfile = NodeRuntimeDockerfile(options.runtime_image);
  recipe.output_mode = 0644;
  recipe.command = NodeStartCommand;
  return recipe;
}

}  // namespace fabric::launcher::docker
