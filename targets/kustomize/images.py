"""Image changes an overlay can say with Kustomize's `images:` field instead of patches.

`images:` rewrites every container whose image *name* matches, in every object of the build,
after the patches ran. So an entry is only correct when each container it would touch must end
with exactly that image; otherwise the change stays a plain JSON6902 `replace` of the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs


@attrs.frozen
class ImageRef:
    """A container image reference split the way Kustomize splits it."""

    name: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, reference: str) -> ImageRef:
        rest, _, digest = reference.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > slash:
            return cls(rest[:colon], rest[colon + 1:], digest or None)
        return cls(rest, None, digest or None)


@attrs.frozen
class ContainerImage:
    """One container of the overlay's result and what the base gave it (None: not from the base)."""

    base: str | None
    final: str


@attrs.frozen
class ImageEntry:
    """One `images:` item: every container image named `name` becomes `new`."""

    name: str
    new: ImageRef

    def to_kustomize(self) -> dict[str, str]:
        entry = {"name": self.name}
        if self.new.name != self.name:
            entry["newName"] = self.new.name
        if self.new.tag is not None:
            entry["newTag"] = self.new.tag
        if self.new.digest is not None:
            entry["digest"] = self.new.digest
        return entry


def plan_images(containers: Iterable[ContainerImage]) -> dict[str, ImageEntry]:
    """The `images:` entries (by image name) that give every container its final image.

    A container the base already had is handled by an entry for its base image name when every
    such container must end with the same image; the patch then leaves its image alone. Any
    other container keeps its final image in the patch or file, so an entry whose name matches
    that image must produce the very same reference.
    """
    items = list(containers)
    by_name: dict[str, set[str]] = {}
    changed: set[str] = set()
    for c in items:
        if c.base is None:
            continue
        name = ImageRef.parse(c.base).name
        by_name.setdefault(name, set()).add(c.final)
        if c.final != c.base:
            changed.add(name)
    chosen = {name: next(iter(finals)) for name, finals in by_name.items()
              if name in changed and len(finals) == 1}
    while True:
        dropped = {name for name, final in chosen.items() if not _consistent(name, final, chosen, items)}
        if not dropped:
            break
        for name in dropped:
            del chosen[name]
    return {name: ImageEntry(name, ImageRef.parse(final)) for name, final in sorted(chosen.items())}


def _consistent(name: str, final: str, chosen: Mapping[str, str], items: list[ContainerImage]) -> bool:
    """Whether the entry `name -> final` rewrites nothing into a wrong image."""
    new_name = ImageRef.parse(final).name
    if new_name != name and new_name in chosen:
        return False  # entries apply one after the other: they would chain
    for c in items:
        handled = c.base is not None and ImageRef.parse(c.base).name in chosen
        before = c.base if handled and c.base is not None else c.final
        if ImageRef.parse(before).name == name and c.final != final:
            return False
    return True


def handled(container: ContainerImage, entries: Mapping[str, ImageEntry]) -> bool:
    """True when `images:` gives this container its final image (its patch keeps the base's)."""
    return container.base is not None and ImageRef.parse(container.base).name in entries
