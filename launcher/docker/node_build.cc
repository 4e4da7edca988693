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

// A string member of `json`, or "" when absent or not a string.
std::string StringAt(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

// Fills info's name, version and scripts from package.json's `text`.
Status ReadPackageJson(const std::string& ccid, const std::string& text, NodePackageInfo* info) {
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return InvalidArgumentError(absl::StrFormat(
        "node chaincode %s: package.json is not a JSON object: fix its syntax", ccid));
  }
  info->name = StringAt(json, "name");
  info->version = StringAt(json, "version");
  auto scripts = json.find("scripts");
  if (scripts != json.end() && scripts->is_object()) {
    info->prestart = StringAt(*scripts, "prestart");
    info->start = StringAt(*scripts, "start");
    info->poststart = StringAt(*scripts, "poststart");
  }
  if (info->start.empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "node chaincode %s: package.json has no \"start\" script; the peer runs the chaincode "
        "with `npm start -- --peer.address <addr>`: add e.g. \"scripts\": {\"start\": "
        "\"node index.js\"} (or \"fabric-chaincode-node start\" for fabric-contract-api)",
        ccid));
  }
  return Status::OK();
}

// `s` as one shell word.
std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

// Sets npm's lifecycle variables for `event` and runs `script` with `sh -c`, exiting with its
// status when it fails (prestart, poststart: no arguments, as npm passes them to start only).
std::string RunLifecycleScript(const char* event, const std::string& script) {
  if (script.empty()) {
    return "";
  }
  return absl::StrFormat(
      "export npm_lifecycle_event=%s npm_lifecycle_script=%s\n"
      "sh -c %s || exit $?\n",
      event, ShellQuote(script), ShellQuote(script));
}

// NodeStartScript runs the start script in the background so that it, the container's PID 1,
// can forward SIGTERM and SIGINT: PID 1 ignores SIGTERM without a handler, and Node installs
// none. A signal before the child exists is sent once it does.
constexpr char kForwardSignals[] =
    "child=\n"
    "pending=\n"
    "interrupted=\n"
    "forward() {\n"
    "  if [ -n \"$child\" ]; then interrupted=1; kill -\"$1\" \"$child\" 2>/dev/null; "
    "else pending=$1; fi\n"
    "}\n"
    "trap 'forward TERM' TERM\n"
    "trap 'forward INT' INT\n";

// Then waits for the child (started just before) and exits with its status when not 0. A trap
// interrupts `wait`, which then returns 128+signal: another `wait` has the child's own status
// (127 when the first one had it after all).
constexpr char kWaitForChild[] =
    "child=$!\n"
    "[ -z \"$pending\" ] || kill -\"$pending\" \"$child\" 2>/dev/null\n"
    "wait \"$child\"\n"
    "status=$?\n"
    "while [ \"$status\" -gt 128 ] && [ -n \"$interrupted\" ]; do\n"
    "  interrupted=\n"
    "  wait \"$child\"\n"
    "  next=$?\n"
    "  [ \"$next\" -eq 127 ] || status=$next\n"
    "done\n"
    "[ \"$status\" -eq 0 ] || exit \"$status\"\n";

// Where the builder finds the start script, and where the package's folder ends up.
constexpr char kStartScriptUpload[] = "/chaincode/npm-start";
constexpr char kSrcDir[] = "/usr/local/src";

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
  RETURN_IF_ERROR(ReadPackageJson(ccid, package_json->content, &info));
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
      "mkdir -p /chaincode/output/lib/fabric-cpp\n"
      "cp %s /chaincode/output/lib/fabric-cpp/npm-start\n"
      "chmod 0755 /chaincode/output/lib/fabric-cpp/npm-start\n"
      "cd /chaincode/output\n"
      "tar -cf %s src lib\n",
      install, install, kStartScriptUpload, kNodeBuildOutput);
}

std::string NodeStartScript(const NodePackageInfo& info) {
  return absl::StrFormat(
      "#!/bin/sh\n"
      "# Made by the peer from package.json: runs its start script as `npm start -- ARGS` does.\n"
      "cd %s || exit 1\n"
      "PATH=%s/node_modules/.bin:/usr/local/node_modules/.bin:/usr/node_modules/.bin:"
      "/node_modules/.bin:$PATH\n"
      "export PATH npm_package_json=%s/package.json npm_package_name=%s "
      "npm_package_version=%s\n"
      "%s"
      "export npm_lifecycle_event=start npm_lifecycle_script=%s\n"
      "%s"
      "sh -c %s start \"$@\" &\n"
      "%s"
      "%s",
      kSrcDir, kSrcDir, kSrcDir, ShellQuote(info.name), ShellQuote(info.version),
      RunLifecycleScript("prestart", info.prestart), ShellQuote(info.start), kForwardSignals,
      ShellQuote(info.start + " \"$@\""), kWaitForChild,
      RunLifecycleScript("poststart", info.poststart));
}

StatusOr<NodeBuilderSpec> NodeBuilder(const NodeBuildOptions& options,
                                      const NodePackageInfo& info) {
  NodeBuilderSpec spec;
  spec.cmd = {"/bin/sh", "-c", NodeBuildScript(info)};
  spec.env = options.env;
  spec.files[kStartScriptUpload] = NodeStartScript(info);
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
      "CMD [\"%s\"]\n",
      runtime_image, kNodeStartScriptPath);
}

std::vector<std::string> NodeStartCommand(const std::string& peer_address,
                                          const std::vector<std::string>& extra_args) {
  // Images built before the start script existed have none: npm runs them.
  std::vector<std::string> cmd = {
      "/bin/sh", "-c",
      absl::StrFormat("[ -x %s ] && exec %s \"$@\"; exec npm start -- \"$@\"", kNodeStartScriptPath,
                      kNodeStartScriptPath),
      "npm-start"};
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
