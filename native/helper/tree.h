/* Process trees (tree.c): the helper as child subreaper, and a cgroup v2 per PD_SPAWN_TREE child. */
#ifndef PROCDESC_HELPER_TREE_H
#define PROCDESC_HELPER_TREE_H

#include <stdint.h>

void tree_init(void);
/* PD_FEATURE_TREE_CGROUP when cgroups per child work here, else 0. */
uint32_t tree_features(void);
/* Makes the cgroup for child `id`; returns a CLOEXEC fd on its cgroup.procs for the child to write
 * itself into, or -1 (no cgroup: the child runs where the helper does). */
int tree_prepare(uint64_t id);
/* After child_spawn: remembers the cgroup (or removes it if the spawn failed). */
void tree_spawned(uint64_t id, int spawned, int kill_on_close);
void tree_sweep(void);
/* The host is gone: cgroup.kill for the trees spawned with PD_SPAWN_KILL_TREE_ON_CLOSE. */
void tree_kill_on_close(void);

#endif
