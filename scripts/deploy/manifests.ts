/**
 * Reading the deployment descriptions of deploy/ (Kubernetes manifests, the compose file, the
 * local process list) into plain objects the rules can check, with no cluster and no Docker.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

// Manifests are YAML of many shapes; the rules read them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One Kubernetes object and the file it came from (problems name both). */
export interface KubeObject {
  file: string;
  kind: string;
  name: string;
  namespace: string;
  body: Json;
}

/**
 * Every document of a YAML text. A duplicate key, a tab or any other error throws with the file's
 * name: kubectl refuses such a file, while a lenient parser would keep one of the two values.
 * Merge keys (`<<: *anchor`) are applied, as docker compose applies them.
 */
export function parseYaml(text: string, file: string): Json[] {
  return parseAllDocuments(text, { merge: true, uniqueKeys: true }).flatMap((doc) => {
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw new Error(`${file}: ${problem.message}`);
    const value: Json = doc.toJS({ maxAliasCount: -1 });
    return value === null || value === undefined ? [] : [value];
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/** Every object of every YAML file under `dir`, in the namespace it names or `defaultNamespace`. */
export function loadKubeObjects(dir: string, root: string, defaultNamespace: string): KubeObject[] {
  return yamlFiles(dir).flatMap((path) => {
    const file = relative(root, path);
    return parseYaml(readFileSync(path, 'utf8'), file).map((body) => ({
      file,
      kind: String(body.kind),
      name: String(body.metadata?.name),
      namespace: String(body.metadata?.namespace ?? defaultNamespace),
      body,
    }));
  });
}

/** The processes of deploy/local/processes.conf: name and entry point (the second column is the instance count). */
export function readProcessList(text: string): { name: string; entry: string }[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name = '', , entry = ''] = line.split(/\s+/);
      return { name, entry };
    });
}

/** The topics of deploy/topics.conf (or a copy of it): "topic TYPE" per topic, in order. */
export function readTopics(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => line.split(/\s+/).join(' '));
}

/** key=value lines of a Java properties file (broker.conf). */
export function readProperties(text: string): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([^#=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (match?.[1]) properties[match[1]] = match[2] ?? '';
  }
  return properties;
}

/** Whether a label selector's matchLabels (or a Service's selector) picks a set of labels. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/**
 * RocketMQ 5.3.3's proxy loses track of a message it popped for a consumer that just died, which
 * then stays invisible for defaultInvisibleTimeMills (60 s unless set): deploy/local/lib/rocketmq.sh.
 */
export const MAX_PROXY_INVISIBLE_MS = 15_000;

/** Whether a proxy's JSON configuration bounds defaultInvisibleTimeMills. */
export function withinInvisibleBound(json: string | undefined): boolean {
  try {
    const value = (JSON.parse(json ?? '') as { defaultInvisibleTimeMills?: unknown }).defaultInvisibleTimeMills;
    return typeof value === 'number' && value > 0 && value <= MAX_PROXY_INVISIBLE_MS;
  } catch {
    return false;
  }
}
