// Tools some suites need (qemu-user, Wine, nginx, Caddy), from Debian's packages: found on the
// machine, or installed with apt-get when missing and allowed (root), or else a reason to skip.

/** `find()` once more after installing `packages` if it found nothing; `{ skip }` says why not. */
export function withDebianPackages<T>(packages: string[], find: () => T | undefined): T | { skip: string } {
  const found = find();
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0 || !Bun.which("apt-get")) {
    return { skip: `${packages.join(" and ")} missing; apt-get install ${packages.join(" ")} (as root) to run them` };
  }
  console.warn(`installing ${packages.join(" and ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => Bun.spawnSync(["apt-get", "install", "-y", "-q", "--no-install-recommends", ...packages], { env });
  let result = install();
  if (result.exitCode !== 0) {
    Bun.spawnSync(["apt-get", "update", "-q"], { env });
    result = install();
  }
  return find() ?? { skip: `apt-get could not install ${packages.join(" and ")}: ${result.stderr.toString().trim().slice(-300)}` };
}
