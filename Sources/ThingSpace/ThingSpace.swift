public enum ThingSpaceClientPlaceholder {}
