// yaml
